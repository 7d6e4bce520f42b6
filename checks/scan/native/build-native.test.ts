import {describe, expect, it} from 'vitest'
import {buildFailure} from './build-native.mjs'

// node-gyp's output after a failed build, as printed on this kind of machine.
const gypTail = [
  'gyp ERR! build error ',
  'gyp ERR! stack Error: `make` failed with exit code: 2',
  'gyp ERR! stack at ChildProcess.<anonymous> (/usr/lib/node_modules/npm/node_modules/node-gyp/lib/build.js:219:23)',
  'gyp ERR! System Linux 6.18.44',
  'gyp ERR! command "/usr/bin/node" "node-gyp.js" "rebuild" "--loglevel=error"',
  'gyp ERR! cwd /tmp/pixel',
  'gyp ERR! node -v v20.20.2',
  'gyp ERR! node-gyp -v v12.4.0',
  'gyp ERR! not ok ',
].join('\n')

describe('buildFailure', () => {
  it.each([
    ['a compile error', `make: Entering directory '/tmp/pixel/build'\n  CXX(target) Release/obj.target/fast_scan/fast_scan.o\n../fast_scan.cc:215:1: error: expected unqualified-id before 'this'\n  215 | this is not c++;\n      | ^~~~\n${gypTail}`, "../fast_scan.cc:215:1: error: expected unqualified-id before 'this'"],
    ['a missing header', `../fast_gunzip.cc:12:10: fatal error: libdeflate.h: No such file or directory\ncompilation terminated.\n${gypTail}`, '../fast_gunzip.cc:12:10: fatal error: libdeflate.h: No such file or directory'],
    ['a failure before compiling', 'gyp ERR! find Python\ngyp ERR! configure error \ngyp ERR! stack Error: Could not find any Python installation to use\ngyp ERR! stack at PythonFinder.fail (lib/find-python.js:306:11)\ngyp ERR! not ok ', 'Could not find any Python installation to use'],
    ['a make failure with nothing from the compiler', gypTail, '`make` failed with exit code: 2'],
  ])('names what went wrong, not node-gyp\'s bookkeeping, after %s', (_, output, line) => {
    expect(buildFailure(output)).toBe(line)
  })
})
