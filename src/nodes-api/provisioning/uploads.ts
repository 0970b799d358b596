/**
 * Poly phones upload files with PUT (<mac>-phone.cfg and -web.cfg: overrides the user made on
 * the phone; <mac>-app.log, -boot.log; call lists, directories). The server accepts and
 * discards them after the same checks as a fetch: 204 for a known upload name, read to the end
 * without keeping a byte, at most MAX_UPLOAD bytes (then 413); 404 for any other name.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { plainAddress } from '../../model/index.js';
import { PROVISIONING_ROUTE } from './access.js';
import type { ProvisioningFiles, ProvisioningSnapshot } from '../../ops/provisioning-serve.js';

/** The largest upload read (bytes); a Poly application log is far smaller. */
export const MAX_UPLOAD = 8 * 1024 * 1024;

const UPLOAD_NAME = /^[0-9a-f]{12}-(?:phone|web|device|app|boot|calls|directory|license)\.(?:cfg|log|xml)$/i;

export interface UploadOptions {
  files: ProvisioningFiles;
  /** The client checks of a fetch (allow list, lock-out, credentials): a reply when refused. */
  check(request: FastifyRequest, reply: FastifyReply, snapshot: ProvisioningSnapshot): Promise<FastifyReply | undefined>;
}

export function registerUploads(app: FastifyInstance, options: UploadOptions): void {
  app.register(async (uploads) => {
    uploads.removeAllContentTypeParsers();
    // Any content type: counted and dropped as it arrives.
    uploads.addContentTypeParser('*', (_request, payload, done) => {
      let size = 0;
      payload.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_UPLOAD) {
          payload.removeAllListeners('data');
          payload.resume();
          done(Object.assign(new Error('upload too large'), { statusCode: 413 }), undefined);
        }
      });
      payload.on('end', () => {
        if (size <= MAX_UPLOAD) done(null, undefined);
      });
      payload.on('error', (error) => done(error, undefined));
    });
    uploads.put(
      '/provision/*',
      {
        config: PROVISIONING_ROUTE,
        onRequest: async (request: FastifyRequest<{ Params: { '*': string } }>, reply) => {
          const name = request.params['*'];
          (request as { provisioningOutcome?: unknown }).provisioningOutcome = { client: plainAddress(request.ip), file: name.slice(0, 128) };
          const refused = await options.check(request, reply, await options.files.snapshot(name));
          if (refused) return refused;
          if (!UPLOAD_NAME.test(name)) return reply.code(404).header('content-type', 'text/plain; charset=utf-8').send(`${name.slice(0, 128)} is no upload this server takes\n`);
          return undefined;
        },
      },
      async (_request, reply) => reply.code(204).send(),
    );
  });
}
