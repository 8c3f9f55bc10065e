// Item text at rest: AES-256-GCM with a random 96-bit nonce per value, the row's id as associated
// data (a sealed value moved to another row does not open), and the format version in the first
// byte so the key or the cipher can change later. Pure: the key is handed in.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const version = 1;
const nonceBytes = 12;
const tagBytes = 16;

export class SealingError extends Error {
  override readonly name = 'SealingError';
}

export class Sealer {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new SealingError('the state encryption key must be 32 bytes (AES-256)');
    this.key = Buffer.from(key);
  }

  seal(plain: string, id: string): Buffer {
    const nonce = randomBytes(nonceBytes);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(id, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.of(version), nonce, body, cipher.getAuthTag()]);
  }

  open(sealed: Buffer, id: string): string {
    if (sealed.length < 1 + nonceBytes + tagBytes || sealed[0] !== version)
      throw new SealingError(`stored state ${id} is not in a format this gateway reads`);
    const decipher = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(1, 1 + nonceBytes));
    decipher.setAAD(Buffer.from(id, 'utf8'));
    decipher.setAuthTag(sealed.subarray(sealed.length - tagBytes));
    try {
      return Buffer.concat([
        decipher.update(sealed.subarray(1 + nonceBytes, sealed.length - tagBytes)),
        decipher.final(),
      ]).toString('utf8');
    } catch (error) {
      // A wrong key or altered bytes: never a partial plaintext.
      throw new SealingError(
        `stored state ${id} does not open with this gateway's state key (another key, or altered bytes)`,
        { cause: error },
      );
    }
  }
}
