/**
 * Certificates by host for HTTPS termination, chosen by SNI (RFC 6066 §3). Built from the
 * table's PEM files on every push, so a renewed certificate is picked up by pushing a table;
 * a file that cannot be read refuses the push and keeps the previous certificates.
 */
import fs from 'node:fs';
import tls from 'node:tls';
import { WharfError } from '../errors.js';
import type { Certificate } from './table.js';

export class TlsContexts {
  private exact = new Map<string, tls.SecureContext>();
  private wildcard = new Map<string, tls.SecureContext>();
  private fallback: tls.SecureContext | undefined;

  /** Loads every certificate first and swaps only when all loaded. */
  load(certs: readonly Certificate[]): void {
    const exact = new Map<string, tls.SecureContext>();
    const wildcard = new Map<string, tls.SecureContext>();
    const problems: { path: string; message: string }[] = [];
    let fallback: tls.SecureContext | undefined;
    certs.forEach((c, i) => {
      try {
        const ctx = tls.createSecureContext({ cert: fs.readFileSync(c.certFile), key: fs.readFileSync(c.keyFile) });
        fallback ??= ctx;
        for (const h of c.hosts) (h.startsWith('*.') ? wildcard : exact).set(h.startsWith('*.') ? h.slice(1) : h, ctx);
      } catch (e) {
        problems.push({ path: `certificates.${i}`, message: (e as Error).message });
      }
    });
    if (problems.length > 0) {
      throw new WharfError('SPEC_INVALID', `route table refused: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, {
        details: problems,
        hint: 'check the certificate and key paths and that they are PEM files readable by the router',
      });
    }
    this.exact = exact;
    this.wildcard = wildcard;
    this.fallback = fallback;
  }

  /** The context for an SNI name; clients without SNI get the first certificate. */
  lookup(servername: string | undefined): tls.SecureContext | undefined {
    if (servername === undefined || servername === '') return this.fallback;
    const name = servername.toLowerCase();
    const hit = this.exact.get(name);
    if (hit !== undefined) return hit;
    const dot = name.indexOf('.');
    return (dot > 0 ? this.wildcard.get(name.slice(dot)) : undefined) ?? this.fallback;
  }

  sniCallback = (servername: string, cb: (err: Error | null, ctx?: tls.SecureContext) => void): void => {
    const ctx = this.lookup(servername);
    if (ctx === undefined) cb(new Error(`no certificate for ${servername}`));
    else cb(null, ctx);
  };
}
