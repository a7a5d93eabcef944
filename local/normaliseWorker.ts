/**
 * A worker of local/workerPool.ts: prepares the files it is sent (local/ingest.ts prepareFile) and
 * keeps their temporary files until the main thread has published them and says so.
 */
import { parentPort } from "node:worker_threads";
import { prepareFile } from "./ingest";
import type { FromWorker, ToWorker } from "./workerPool";

const cleanups = new Map<number, () => Promise<void>>();
const reply = (message: FromWorker) => parentPort!.postMessage(message);

parentPort!.on("message", (message: ToWorker) => {
    const handled =
        message.type === "prepare"
            ? prepareFile(message.file, message.options, message.fsPath ? Buffer.from(message.fsPath) : message.file).then(({ prepared, cleanup }) => {
                  if (cleanup) cleanups.set(message.task, cleanup);
                  reply({ type: "prepared", task: message.task, prepared });
              })
            : (cleanups.get(message.task)?.() ?? Promise.resolve()).then(() => {
                  cleanups.delete(message.task);
                  reply({ type: "released", task: message.task });
              });
    handled.catch((error: Error) => reply({ type: "error", task: message.task, message: error.message }));
});
