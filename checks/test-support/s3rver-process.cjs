// Runs s3rver on 127.0.0.1 on a free port and prints {"endpoint": ...} once it listens.
// It runs in its own process because s3rver's continuation tokens need OpenSSL's legacy
// provider (node --openssl-legacy-provider), which must not leak into the tests themselves.
const S3rver = require('s3rver')

const directory = process.argv[2]
const server = new S3rver({address: '127.0.0.1', port: 0, silent: true, directory})
server.run().then((address) => {
  process.stdout.write(JSON.stringify({endpoint: `http://127.0.0.1:${address.port}`}) + '\n')
})
process.on('SIGTERM', () => server.close().then(() => process.exit(0)))
