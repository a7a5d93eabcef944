/**
 * The file-preparation contract between the ingest (local/ingest.ts), which asks for files to be
 * read and normalised and then deduplicates and publishes them in input order, and the worker pool
 * (local/workerPool.ts, local/normaliseWorker.ts), which prepares them on other threads: what is
 * asked, and what comes back. In a module of its own so that the three import it and not each other.
 */
import type { NormalisedOutput } from "../lambda/normaliser/core";

/** `s3-log`: only `{"Records":[…]}` files (the normaliser's contract); `any`: every shape local/shapes.ts unwraps. */
export type InputShapes = "s3-log" | "any";

/**
 * A file read and normalised into temporary files, not yet deduplicated or published: what a
 * worker hands back (plain data, so that it crosses a worker boundary). An archive gives one
 * entry per member, named `archive.zip!path/in/archive.json`.
 */
export type PreparedFile =
    | { readonly status: "skipped" | "failed"; readonly bytes: number; readonly reason: string }
    | {
          readonly status: "normalised";
          readonly bytes: number;
          readonly events: number;
          readonly fileName: string;
          readonly outputs: NormalisedOutput[];
          /** Values repaired, by field: how many events (lambda/normaliser/wellFormed.ts). */
          readonly repaired?: Readonly<Record<string, number>>;
      }
    | { readonly status: "archive"; readonly bytes: number; readonly members: PreparedMember[] };

/** A file or member that is not an archive, read: the part of {@link PreparedFile} a member has. */
export type PreparedSingle = Exclude<PreparedFile, { status: "archive" }>;

/** One member of an archive, read. */
export type PreparedMember = PreparedSingle & { readonly name: string };

export interface PrepareOptions {
    readonly shapes: InputShapes;
    /** Keep each output's line eventIDs (for the deduplication), as the normaliser renders them. */
    readonly eventIds: boolean;
    readonly gzipLevel: number;
    /** The ingest's folder for temporary files, shared by its workers (lambda/normaliser/core.ts WriteOptions). */
    readonly tempDirectory?: string;
    /** Cap on the bytes one input file (an archive: all its members) inflates to; default the normaliser's. */
    readonly maxDecompressedBytes?: number;
}

/** Prepares files, here or in workers; `release` removes a prepared file's temporary files. */
export interface FilePreparer {
    prepare(file: string): Promise<{ prepared: PreparedFile; release: () => Promise<void> }>;
    close(): Promise<void>;
}
