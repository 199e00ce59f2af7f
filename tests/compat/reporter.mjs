// A compact node:test reporter for the gtest wrapper: one line per test, and for a failure the
// assertion message without node's stack traces, so a failing run reads like a checklist.
// By hand, node's own `--test-reporter=spec` gives the full details.
const indent = (nesting) => '  '.repeat(nesting);

// A failure inside a test file arrives wrapped (ERR_TEST_FAILURE) with the real error as cause.
function reason(error) {
  const inner = error?.cause ?? error;
  const text = inner?.message ?? String(inner);
  return text.split('\n').filter((line) => line.trim() !== '').slice(0, 24).join('\n');
}

export default async function* compact(source) {
  for await (const { type, data } of source) {
    switch (type) {
      case 'test:pass': {
        const mark = data.skip !== undefined ? '- (skipped)' : '✔';
        yield `${indent(data.nesting)}${mark} ${data.name}\n`;
        break;
      }
      case 'test:fail': {
        const lines = reason(data.details?.error).split('\n');
        yield `${indent(data.nesting)}✖ ${data.name}\n`;
        for (const line of lines) yield `${indent(data.nesting + 2)}${line}\n`;
        break;
      }
      case 'test:diagnostic':
        if (data.nesting === 0) yield `${data.message}\n`;
        break;
      case 'test:stderr':
      case 'test:stdout':
        yield data.message;
        break;
      default:
        break;
    }
  }
}
