// Debian's ONNX checker (python3-onnx, full_check = strict shape inference) over model files: one line per file.
import { execFileSync } from 'node:child_process';
import { PYTHON } from './python-modules';

const SCRIPT = `
import onnx, sys
for f in sys.argv[1:]:
    try:
        onnx.checker.check_model(onnx.load(f), full_check=True)
        print("OK", f)
    except Exception as e:
        print("FAIL", f, str(e).replace("\\n", " ")[:400])
`;

/** "OK <file>" or "FAIL <file> <reason>" per file; external data is loaded from beside each model. */
export function onnxCheck(files: readonly string[]): string[] {
  return execFileSync(PYTHON, ['-c', SCRIPT, ...files], { encoding: 'utf8' }).trim().split('\n');
}
