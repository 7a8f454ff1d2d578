/**
 * The JavaScript the sandbox puts around a guest, run inside QuickJS. `SDK_SHIM` is what
 * `import { defineAgent } from '@agentmesh/sdk'` resolves to there: `defineAgent` hands back the
 * definition, which the guest exports as its default. `GUEST_PRELUDE` is a function the worker
 * calls with the host functions (each takes and gives JSON text); it installs `console` and
 * `fetch` and returns the function that runs one capability, so no host function is left on the
 * guest's global object.
 */
export const SDK_SHIM = `
export function defineAgent(definition) {
  if (definition === null || typeof definition !== 'object') throw new TypeError('defineAgent takes an object')
  return definition
}
`

export const GUEST_PRELUDE = `(function (hostCall, hostFetch, hostProgress, hostLog) {
  'use strict'
  const stringify = JSON.stringify
  const parse = JSON.parse
  const text = (value) => {
    if (typeof value === 'string') return value
    try { return String(stringify(value)) } catch { return String(value) }
  }
  const logger = (level) => (...args) => hostLog(level, args.map(text).join(' '))
  const console = Object.freeze({
    log: logger('info'), info: logger('info'), debug: logger('info'),
    warn: logger('warn'), error: logger('error'),
  })
  Object.defineProperty(globalThis, 'console', { value: console })
  const fetch = (url, init = {}) => {
    const request = { url: String(url), method: init.method, headers: init.headers, body: init.body }
    return hostFetch(stringify(request)).then((answer) => {
      const { status, headers, body } = parse(answer)
      return Object.freeze({
        status, ok: status >= 200 && status < 300,
        headers: Object.freeze({ get: (name) => headers[String(name).toLowerCase()] ?? null }),
        text: async () => body,
        json: async () => parse(body),
      })
    })
  }
  Object.defineProperty(globalThis, 'fetch', { value: fetch })
  return function run(definition, mode, capabilityId, inputJson, paramsJson) {
    if (definition === null || typeof definition !== 'object' || !Array.isArray(definition.capabilities)) {
      throw new TypeError('The default export of the module is not what defineAgent returns')
    }
    if (mode === 'inspect') return stringify(definition.capabilities.map((c) => String(c && c.id)))
    const capability = definition.capabilities.find((c) => c && c.id === capabilityId)
    if (!capability || typeof capability.handler !== 'function') {
      throw new TypeError('The agent has no capability "' + capabilityId + '"')
    }
    const ctx = Object.freeze({
      capabilityId,
      params: parse(paramsJson),
      progress(fraction, message) {
        hostProgress(fraction === undefined ? undefined : Number(fraction), message === undefined ? undefined : String(message))
      },
      call(id, input, options) {
        const maxPrice = options && options.maxPrice !== undefined ? String(options.maxPrice) : undefined
        return hostCall(String(id), stringify(input === undefined ? null : input), maxPrice).then(parse)
      },
    })
    return Promise.resolve(capability.handler(parse(inputJson), ctx)).then((output) => {
      const json = stringify(output)
      if (json === undefined) throw new TypeError('The handler returned nothing JSON can carry')
      return json
    })
  }
})`
