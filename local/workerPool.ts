/**
 * A pool of worker threads that read and normalise whole files (local/ingest.ts prepareFile), for
 * `--jobs N`. The unit of work is a file: parsing JSON and rendering the normalised lines is
 * single-threaded V8 work, so one file does not go faster with more threads (measured in the
 * normaliser, docs/benchmarks.md), but many files do, one per core.
 *
 * Worker threads rather than child processes: the results are small (names of temporary files and
 * the eventIDs of their lines), start-up is cheaper, and a worker's heap is capped by
 * `resourceLimits`, so a file that would take more memory than {@link WORKER_HEAP_MB} fails alone
 * (named, "ran out of memory") and its worker is replaced, instead of taking the run down.
 * The temporary files are written in the ingest's folder, which every worker is given.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { fsPathOf } from "./files";
import { workerBundle } from "./workerBundle";
import type { FilePreparer, PreparedFile, PrepareOptions } from "./filePreparation";

/**
 * Old-generation heap of each worker. The normaliser streams and caps one record at 16 MB, so a
 * file's heap does not grow with its size (the whole 2-worker process peaked at 1.4 GB on 1 GB of
 * input, most of it DuckDB's); the cap leaves room for several records at that limit and stops one
 * hostile file from taking the machine's memory.
 */
export const WORKER_HEAP_MB = 512;

/**
 * Messages from the main thread to a worker, and back (local/normaliseWorker.ts). `fsPath`: the bytes to open when the
 * file's name is not valid UTF-8 (local/files.ts fsPathOf; the worker has no registry of its own). The options come with
 * each file, not when the worker starts: a worker started ahead of its pool ({@link prestartNormalisers}) has none yet.
 */
export type ToWorker =
    | { readonly type: "prepare"; readonly task: number; readonly file: string; readonly options: PrepareOptions; readonly fsPath?: Uint8Array }
    | { readonly type: "release"; readonly task: number };
export type FromWorker =
    | { readonly type: "prepared"; readonly task: number; readonly prepared: PreparedFile }
    | { readonly type: "released"; readonly task: number }
    | { readonly type: "error"; readonly task: number; readonly message: string };

/**
 * The worker's script: run through tsx, the TypeScript worker's bundle (local/workerBundle.ts), or
 * the TypeScript itself when that cannot be built; JavaScript when bundled next to the caller
 * (bench:local). Decided once per process.
 */
function workerScript(): string {
    if (resolvedScript) return resolvedScript;
    const typescript = path.join(__dirname, "normaliseWorker.ts");
    const javascript = path.join(__dirname, "normaliseWorker.js");
    if (fs.existsSync(typescript)) resolvedScript = workerBundle(typescript) ?? typescript;
    else if (fs.existsSync(javascript)) resolvedScript = javascript;
    else throw new Error(`the normalising worker's script (normaliseWorker.ts or .js) is not in ${__dirname}`);
    return resolvedScript;
}

let resolvedScript: string | undefined;

interface Pending {
    resolve(message: FromWorker): void;
    reject(error: Error): void;
}

class PoolWorker {
    readonly worker: Worker;
    /** Tasks sent to this worker and not answered yet. */
    readonly pending = new Map<number, Pending>();
    /** Files being prepared (at most one: the pool sends the next when this one is done). */
    busy = false;
    exited = false;
    /** What to do when the worker exits: its pool's, set when a pool takes it. */
    onExit: (worker: PoolWorker, error: Error) => void = () => undefined;

    constructor(readonly heapMb: number) {
        const script = workerScript();
        const settings = { resourceLimits: { maxOldGenerationSizeMb: heapMb } };
        // Node 20 does not apply tsx's `--import` hooks to a worker's entry point: the TypeScript worker registers tsx itself.
        this.worker = script.endsWith(".ts")
            ? new Worker(`require(${JSON.stringify(require.resolve("tsx/cjs/api"))}).register(); require(${JSON.stringify(script)});`, {
                  ...settings,
                  eval: true,
              })
            : new Worker(script, settings);
        this.worker.on("message", (message: FromWorker) => {
            const pending = this.pending.get(message.task);
            this.pending.delete(message.task);
            if (message.type === "error") pending?.reject(new Error(message.message));
            else pending?.resolve(message);
        });
        let failure: Error | undefined;
        this.worker.on("error", (error: Error & { code?: string }) => {
            failure =
                error.code === "ERR_WORKER_OUT_OF_MEMORY"
                    ? new Error(`ran out of memory in its worker (heap limit ${heapMb} MB per worker)`)
                    : new Error(`its worker failed: ${error.message}`);
        });
        this.worker.on("exit", (code) => {
            this.exited = true;
            const error = failure ?? new Error(`its worker exited with code ${code}`);
            for (const pending of this.pending.values()) pending.reject(error);
            this.pending.clear();
            this.onExit(this, error);
        });
    }

    send(message: ToWorker): Promise<FromWorker> {
        if (this.exited) return Promise.reject(new Error("its worker has exited"));
        return new Promise((resolve, reject) => {
            this.pending.set(message.task, { resolve, reject });
            this.worker.postMessage(message);
        });
    }
}

/** Pools not closed yet, for {@link stopAllWorkers}. */
const livePools = new Set<NormaliserPool>();

/** Workers started by {@link prestartNormalisers} that no pool has taken yet. */
const spares: PoolWorker[] = [];

/**
 * Starts up to `count` workers before any pool asks for them, for the next pool to take. A worker
 * spends about 0.1 s loading its bundle (local/workerBundle.ts; 0.15-0.5 s through tsx) before it
 * can read a file; started by the command line before it loads DuckDB's binding and the rest of the
 * run's modules, it loads on the other core meanwhile, and the first files are read that much
 * sooner (docs/performance.md).
 * Spares keep no process alive, and {@link stopSpareNormalisers} stops those no pool took.
 */
export function prestartNormalisers(count: number): void {
    while (spares.length < count) {
        const spare = new PoolWorker(WORKER_HEAP_MB);
        spare.onExit = (gone) => {
            if (spares.includes(gone)) spares.splice(spares.indexOf(gone), 1);
        };
        spare.worker.unref();
        spares.push(spare);
    }
}

/** How many spare workers are waiting for a pool. */
export function spareNormalisers(): number {
    return spares.length;
}

/** Stops the spare workers no pool took (the ingest, once it knows how many it needs). */
export function stopSpareNormalisers(): void {
    for (const spare of spares.splice(0)) void spare.worker.terminate();
}

/** Up to `count` spare workers with the heap limit asked for. */
function takeSpares(count: number, heapMb: number): PoolWorker[] {
    const taken = spares.filter((spare) => spare.heapMb === heapMb && !spare.exited).slice(0, count);
    for (const spare of taken) {
        spares.splice(spares.indexOf(spare), 1);
        spare.worker.ref();
    }
    return taken;
}

/**
 * Asks every worker of every pool to stop now, without waiting (for a SIGINT handler, before it
 * removes the run's temporary folder: a worker still writing there would make that fail).
 */
export function stopAllWorkers(): void {
    stopSpareNormalisers();
    for (const pool of livePools) pool.stop();
}

/** Up to `size` workers, started as files come (or taken from {@link prestartNormalisers}' spares); each prepares one file at a time. */
export class NormaliserPool implements FilePreparer {
    private readonly workers: PoolWorker[] = [];
    private readonly queue: { file: string; task: number; start: (worker: PoolWorker) => void }[] = [];
    private nextTask = 0;
    private closing = false;

    constructor(
        readonly size: number,
        private readonly options: PrepareOptions,
        /** Old-generation heap of each worker (tests lower it). */
        private readonly heapMb = WORKER_HEAP_MB,
    ) {
        if (!Number.isInteger(size) || size < 1) throw new Error(`a worker pool needs a positive whole number of workers, not ${size}`);
        livePools.add(this);
        for (const spare of takeSpares(size, heapMb)) this.adopt(spare);
    }

    prepare(file: string): Promise<{ prepared: PreparedFile; release: () => Promise<void> }> {
        const task = this.nextTask++;
        return new Promise((resolve, reject) => {
            this.queue.push({
                file,
                task,
                start: (worker) => {
                    worker.busy = true;
                    worker
                        .send({
                            type: "prepare",
                            task,
                            file,
                            options: this.options,
                            ...(typeof fsPathOf(file) === "string" ? {} : { fsPath: fsPathOf(file) as Buffer }),
                        })
                        .then(
                            (message) => {
                                worker.busy = false;
                                this.dispatch();
                                const prepared = (message as Extract<FromWorker, { type: "prepared" }>).prepared;
                                // The temporary files belong to the worker that wrote them; it removes them when told.
                                const release = async () => {
                                    if (prepared.status === "normalised" && !worker.exited) await worker.send({ type: "release", task }).catch(() => undefined);
                                };
                                resolve({ prepared, release });
                            },
                            (error: Error) => {
                                worker.busy = false;
                                this.dispatch();
                                reject(error);
                            },
                        );
                },
            });
            this.dispatch();
        });
    }

    /** Hands queued files to idle workers, starting workers up to the pool's size. */
    private dispatch(): void {
        while (this.queue.length > 0 && !this.closing) {
            let worker = this.workers.find((candidate) => !candidate.busy && !candidate.exited);
            if (!worker && this.workers.filter((candidate) => !candidate.exited).length < this.size) {
                worker = this.adopt(new PoolWorker(this.heapMb));
            }
            if (!worker) return;
            this.queue.shift()!.start(worker);
        }
    }

    private adopt(worker: PoolWorker): PoolWorker {
        worker.onExit = (gone) => {
            this.workers.splice(this.workers.indexOf(gone), 1);
            this.dispatch();
        };
        this.workers.push(worker);
        return worker;
    }

    /** Stops taking files and asks the workers to stop; {@link close} waits for them. */
    stop(): void {
        this.closing = true;
        for (const worker of this.workers) void worker.worker.terminate();
    }

    async close(): Promise<void> {
        this.closing = true;
        livePools.delete(this);
        await Promise.all(this.workers.map((worker) => worker.worker.terminate()));
    }
}
