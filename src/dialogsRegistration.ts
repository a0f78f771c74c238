import { createRequire } from 'node:module'

/**
 * botbuilder-dialogs (4.23) registers a new DialogsComponentRegistration for every DialogContext it creates (some
 * eight a turn): each builds a service collection with a dependency graph of every memory scope and path resolver
 * factory, which ComponentRegistration keeps by class name, replacing the last one. It is read only when a turn has
 * no memory-scope configuration yet, and what it returns is built afresh on every read (its factories concat new
 * arrays of new scopes), so one instance serves every DialogContext the same. Imported once, by the composition root.
 */
const require = createRequire(import.meta.url)
const module = require('botbuilder-dialogs/lib/dialogsComponentRegistration.js') as { DialogsComponentRegistration?: new () => object }
const Registration = module.DialogsComponentRegistration
if (typeof Registration === 'function') {
  let built: object | undefined
  module.DialogsComponentRegistration = new Proxy(Registration, {
    construct: (target, args, newTarget) => (built ??= Reflect.construct(target, args, newTarget) as object),
  })
}
