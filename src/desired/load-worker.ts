/**
 * The worker thread of loadDesiredStateInWorker (src/desired/load-in-worker.ts): loads the
 * desired state with loadDesiredState and posts back its result, packed and in chunks (see
 * postResult), or the HermesError it threw.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isHermesError } from '../errors.js';
import { postResult, type WorkerMessage, type WorkerRequest } from './load-in-worker.js';
import { loadDesiredState } from './load.js';

const { paths, options } = workerData as WorkerRequest;
const post = (message: WorkerMessage) => parentPort!.postMessage(message);
let result;
try {
  result = await loadDesiredState(paths, options);
} catch (error) {
  // another exception stays uncaught: the Worker's 'error' event gives it to the caller
  if (!isHermesError(error)) throw error;
  post({ type: 'hermes', code: error.code, message: error.message });
}
if (result) postResult(result, post);
