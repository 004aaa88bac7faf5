#!/usr/bin/env node
// Starts dynalite (DynamoDB-API emulator) for local/integration tests.
//
//   node start.js [port]            port: argv[2], else $DYNALITE_PORT, else 8000 (0 = pick a free port)
//   DYNALITE_PATH=/some/dir         persist to a LevelDB directory (default: in-memory)
//   DYNALITE_HOST=127.0.0.1         bind address (default 127.0.0.1)
//
// Prints exactly one line "DYNALITE_READY <port>" to stdout once listening.
// Exits 0 on SIGTERM/SIGINT (or when stdin closes if DYNALITE_EXIT_ON_STDIN_EOF=1).
'use strict'

const fs = require('fs')
const dynalite = require('dynalite')

function parsePort (raw) {
  if (raw == null || raw === '') return null
  const s = String(raw).replace(/^--port=/, '')
  const n = Number(s)
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    console.error(`start.js: invalid port ${JSON.stringify(raw)}`)
    process.exit(2)
  }
  return n
}

const argPort = parsePort(process.argv[2])
const envPort = parsePort(process.env.DYNALITE_PORT)
const port = argPort != null ? argPort : envPort != null ? envPort : 8000
const host = process.env.DYNALITE_HOST || '127.0.0.1'
const dbPath = process.env.DYNALITE_PATH || undefined

if (dbPath) fs.mkdirSync(dbPath, { recursive: true })

const server = dynalite({
  path: dbPath, // undefined => in-memory (memory-level)
  createTableMs: 0, // tables go CREATING -> ACTIVE on the next tick
  deleteTableMs: 0,
  updateTableMs: 0,
})

server.on('error', (err) => {
  console.error(`start.js: dynalite failed: ${err && err.stack ? err.stack : err}`)
  process.exit(1)
})

server.listen(port, host, () => {
  process.stdout.write(`DYNALITE_READY ${server.address().port}\n`)
})

let stopping = false
function stop (signal) {
  if (stopping) return
  stopping = true
  // Don't let a lingering keep-alive client hold shutdown hostage.
  const force = setTimeout(() => {
    console.error(`start.js: forced exit after ${signal}`)
    process.exit(0)
  }, 5000)
  force.unref()
  server.close((err) => {
    if (err) console.error(`start.js: close error: ${err.message}`)
    process.exit(0)
  })
  if (typeof server.closeAllConnections === 'function') server.closeAllConnections()
}

process.on('SIGTERM', () => stop('SIGTERM'))
process.on('SIGINT', () => stop('SIGINT'))
if (process.env.DYNALITE_EXIT_ON_STDIN_EOF === '1') {
  process.stdin.on('end', () => stop('stdin EOF'))
  process.stdin.resume()
}
