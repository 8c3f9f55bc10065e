// Runs after `npm ci` / `npm install`: removes the prebuilt llama.cpp binaries a CPU gateway never
// loads. node-llama-cpp lists one optional package per backend, and npm installs every one whose
// os/cpu fields match: on linux-x64 that is CUDA (181 MB), CUDA-ext (357 MB), Vulkan (81 MB), and
// arm64/armv7l builds that also list x64 (32 MB) — 650 of the install's 900 MB. The gateway runs
// llama.cpp on the CPU (node-llama-cpp with gpu: false), so only the CPU package of this platform is
// kept. SOVEREIGN_GPU=1 npm ci keeps the GPU packages of this platform (for other uses of
// node-llama-cpp on this machine).
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const directory = join(process.cwd(), 'node_modules', '@node-llama-cpp');
if (!existsSync(directory)) process.exit(0);

const platform = { linux: 'linux', darwin: 'mac', win32: 'win' }[process.platform] ?? process.platform;
const arch = process.arch === 'arm' ? 'armv7l' : process.arch;
const cpuPackage = `${platform}-${arch}`;
const keepGpu = ['1', 'true', 'yes'].includes(
  String(process.env.SOVEREIGN_GPU ?? process.env.npm_config_sovereign_gpu ?? '').toLowerCase(),
);

let freed = 0;
for (const name of readdirSync(directory)) {
  const ours = name === cpuPackage || name === `${cpuPackage}-metal`;
  const gpuOfOurs = name.startsWith(`${cpuPackage}-`);
  if (ours || (keepGpu && gpuOfOurs)) continue;
  const path = join(directory, name);
  freed += sizeOf(path);
  rmSync(path, { recursive: true, force: true });
}
if (freed > 0)
  process.stdout.write(
    `sovereign-gateway: removed ${(freed / 1024 / 1024).toFixed(0)} MB of llama.cpp binaries this CPU gateway does not load (SOVEREIGN_GPU=1 npm ci keeps the GPU ones)\n`,
  );

function sizeOf(path) {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) total += sizeOf(child);
    else if (entry.isFile()) total += statSync(child).size;
  }
  return total;
}
