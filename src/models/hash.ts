// SHA-256 of a file at disk speed, without loading it into memory. Written here rather than with a
// stream pipeline because the guarantee (weights verified before every load) sits on the hot path of
// a start: two fixed 8 MiB buffers alternate, so the next read runs on libuv's thread pool while the
// current block is hashed, and no buffer is allocated per block.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

const blockSize = 8 * 1024 * 1024;

export interface HashProgress {
  bytes: number;
  total: number;
}

export async function hashFile(
  path: string,
  onProgress?: (progress: HashProgress) => void,
): Promise<{ sha256: string; size: number }> {
  const handle = await open(path, 'r');
  try {
    const total = (await handle.stat()).size;
    const hash = createHash('sha256');
    const buffers = [Buffer.allocUnsafe(blockSize), Buffer.allocUnsafe(blockSize)];
    let position = 0;
    let current = 0;
    let pending = handle.read(buffers[0]!, 0, blockSize, position);
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) break;
      position += bytesRead;
      const block = buffers[current]!;
      current ^= 1;
      pending = handle.read(buffers[current]!, 0, blockSize, position);
      hash.update(bytesRead === blockSize ? block : block.subarray(0, bytesRead));
      onProgress?.({ bytes: position, total });
    }
    return { sha256: hash.digest('hex'), size: position };
  } finally {
    await handle.close();
  }
}
