import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * Polls `GET {url}/v2/` until the registry answers 200 or 401, the deadline passes, `exited` settles
 * (the process died) or the signal aborts.
 *
 * @param {object} options
 * @param {string} options.url `http://` or `https://127.0.0.1:PORT`
 * @param {Buffer | undefined} options.ca CA certificate to trust for https
 * @param {number} options.timeoutMs
 * @param {Promise<unknown>} options.exited settles when the registry process exits
 * @param {AbortSignal | undefined} options.signal
 * @returns {Promise<void>}
 */
export async function waitReady({ url, ca, timeoutMs, exited, signal }) {
  const deadline = Date.now() + timeoutMs;
  let dead = false;
  exited.then(
    () => {
      dead = true;
    },
    () => {
      dead = true;
    },
  );
  for (;;) {
    signal?.throwIfAborted();
    if (dead) throw new Error('docker-registry exited before it answered /v2/');
    const status = await probe(`${url}/v2/`, ca).catch(() => 0);
    if (status === 200 || status === 401) return;
    if (Date.now() > deadline) throw new Error(`docker-registry did not answer ${url}/v2/ within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * @param {string} url
 * @param {Buffer | undefined} ca
 * @returns {Promise<number>} the response status
 */
function probe(url, ca) {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', ca, agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}
