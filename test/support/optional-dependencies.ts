// The onnx engine of the detectors' model layer needs the optional dependency
// @huggingface/transformers (about 430 MB with onnxruntime), which `npm ci` does not install and
// .ci/run does. Without it the onnx cases are skipped locally, and fail in CI, where skipping would
// hide a regression.
/** A computed specifier, so that type-checking does not need the package either. */
export const transformersPackage: string = ['@huggingface', 'transformers'].join('/');
const installed = await import(transformersPackage).then(
  () => true,
  () => false,
);

export function onnxSkipReason(): string | false {
  if (installed) return false;
  if (process.env.CI) throw new Error('@huggingface/transformers is not installed in CI: .ci/run must install it');
  return '@huggingface/transformers is not installed (npm install --no-save @huggingface/transformers@4.3.1; see README, "Tests")';
}
