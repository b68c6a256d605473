/// <reference path="./tesseract-data.d.ts" />
import path from "node:path";
import englishData from "@tesseract.js-data/eng";
import { createWorker, OEM, type Worker } from "tesseract.js";

/** An 8-bit grayscale picture (one byte per pixel, rows top to bottom). */
export type GrayImage = { width: number; height: number; data: Uint8Array };

export type OcrText = { text: string; confidence: number };

/** The OCR time given to a recognition ran out (the engine was stopped). */
export class OcrTimeoutError extends Error {
  constructor(ms: number) {
    super(`OCR took longer than ${ms} ms and was stopped`);
    this.name = "OcrTimeoutError";
  }
}

/**
 * The English data shipped in npm (`@tesseract.js-data/eng`, LSTM "best_int"). Pointing
 * `langPath` at a folder makes tesseract.js read `eng.traineddata.gz` from disk; without it
 * it would fetch from a CDN. The wasm core comes from `tesseract.js-core` via require and the
 * worker script from the tesseract.js package itself, so nothing is downloaded at run time.
 * The folder comes from the package's own `langPath` (its `__dirname`), not from
 * `require.resolve`, which bundlers (Next) rewrite into a module id; hosts that bundle must
 * keep `tesseract.js` and `@tesseract.js-data/eng` external (apps/web/next.config.ts does).
 */
export function englishDataPath(): string {
  return path.join(path.dirname(englishData.langPath), "4.0.0_best_int");
}

/** Wraps a gray image as binary PGM (P5), a format tesseract's leptonica reads with no codec. */
export function toPgm(image: GrayImage): Uint8Array {
  const header = new TextEncoder().encode(`P5\n${image.width} ${image.height}\n255\n`);
  const out = new Uint8Array(header.length + image.data.length);
  out.set(header, 0);
  out.set(image.data, header.length);
  return out;
}

/**
 * One tesseract worker (a worker thread holding the wasm engine, ~100 MB), created on first
 * use and reused: on 2 cores a pool would only compete with the rest of the service.
 * Recognitions run one at a time. A recognition that overruns its time is abandoned by
 * terminating the thread (the next call starts a fresh one), and every failure of the thread
 * becomes a rejected promise — never an uncaught error that would end the host process.
 */
export class OcrEngine {
  private worker: Promise<Worker> | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  /** Recognises English text; rejects on timeout or engine failure. */
  recognize(image: GrayImage, timeoutMs: number): Promise<OcrText> {
    const run = this.queue.then(() => this.recognizeNow(image, timeoutMs));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.then((w) => w.terminate()).catch(() => undefined);
  }

  private async recognizeNow(image: GrayImage, timeoutMs: number): Promise<OcrText> {
    if (timeoutMs <= 0) throw new OcrTimeoutError(0);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new OcrTimeoutError(timeoutMs)), timeoutMs);
    });
    try {
      const worker = await Promise.race([this.start(), timeout]);
      const result = await Promise.race([worker.recognize(Buffer.from(toPgm(image))), timeout]);
      return { text: result.data.text, confidence: result.data.confidence };
    } catch (error) {
      // A timed-out or failed engine may be stuck mid-page: throw it away.
      await this.close();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private start(): Promise<Worker> {
    this.worker ??= createWorker("eng", OEM.LSTM_ONLY, {
      langPath: englishDataPath(),
      gzip: true,
      // "none": never write eng.traineddata into the working directory as a cache.
      cacheMethod: "none",
      logger: () => undefined,
      // Without a handler tesseract.js rethrows a job's failure inside its message listener.
      errorHandler: () => undefined,
    }).then((worker) => {
      // tesseract.js sets `onerror` on the Node Worker, which Node never calls: without a
      // listener a crashing thread would throw in the host process.
      // It is also unref'd: an idle engine must not keep a finished host process alive.
      const thread = (worker as unknown as { worker?: { on?: (e: string, f: (err: unknown) => void) => void; unref?: () => void } }).worker;
      thread?.on?.("error", () => {
        this.worker = null;
      });
      thread?.unref?.();
      return worker;
    });
    const started = this.worker;
    started.catch(() => {
      if (this.worker === started) this.worker = null;
    });
    return started;
  }
}

let shared: OcrEngine | null = null;

/** The process-wide engine (lazily created; its worker thread starts on first recognition). */
export function sharedOcrEngine(): OcrEngine {
  shared ??= new OcrEngine();
  return shared;
}
