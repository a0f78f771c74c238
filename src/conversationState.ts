import { ConversationState, type BotState, type StatePropertyAccessor, type Storage, type StoreItems, type TurnContext } from 'botbuilder'
import type { ConversationStateStore } from './core/ports.js'

/** botbuilder's Storage over the state port: the eTag is the document's version. */
export class PortStorage implements Storage {
  constructor(private readonly store: ConversationStateStore) {}

  async read(keys: string[]): Promise<StoreItems> {
    const items: StoreItems = {}
    for (const key of keys) {
      const found = await this.store.load(key)
      if (found) items[key] = { ...JSON.parse(found.json), eTag: String(found.version) }
    }
    return items
  }

  async write(changes: StoreItems): Promise<void> {
    for (const [key, item] of Object.entries(changes)) {
      const { eTag, ...doc } = item as Record<string, unknown>
      const expected = typeof eTag === 'string' && eTag !== '*' ? Number(eTag) : '*'
      await this.store.save(key, JSON.stringify(doc), expected)
    }
  }

  async delete(keys: string[]): Promise<void> {
    for (const key of keys) await this.store.delete(key)
  }
}

interface CachedState {
  state: Record<string, unknown>
  /** The JSON as read or last saved: a turn that changed nothing writes nothing. */
  hash: string
  /** The stored version it was read at (0: none). */
  version: number
}

/**
 * ConversationState on the state port. It notices changes by comparing the state's JSON with what was read:
 * botbuilder's BotState hashes the state on load, before saving and after saving, and the storage serialises it once
 * more, four passes a turn where one will do. Same cache slot in turn state, so clear(), get() and the property
 * accessors behave as in botbuilder.
 */
export class StoredConversationState extends ConversationState {
  constructor(
    private readonly store: ConversationStateStore,
    private readonly options: { checkVersion?: boolean; /** Another record of the conversation's (default: its state). */ key?: (context: TurnContext) => string } = {},
  ) {
    super(new PortStorage(store))
  }

  /** BotState's turn-state slot (private in its typings, the same symbol at run time). */
  private get slot(): symbol {
    return (this as unknown as { stateKey: symbol }).stateKey
  }

  /** ConversationState's key; it throws for an activity without a channel or conversation id. */
  private keyOf(context: TurnContext): string {
    return this.getStorageKey(context)!
  }

  /** The same accessor as botbuilder's, in plain async functions: its compiled generators cost more than the work. */
  override createProperty<T = any>(name: string): StatePropertyAccessor<T> {
    return new StateProperty<T>(this, name)
  }

  override getStorageKey(context: TurnContext): string | undefined {
    return this.options.key ? this.options.key(context) : super.getStorageKey(context)
  }

  override async load(context: TurnContext, force = false): Promise<any> {
    const cached = context.turnState.get(this.slot) as CachedState | undefined
    if (!force && cached?.state) return cached.state
    const found = await this.store.load(this.keyOf(context))
    const state = found ? (JSON.parse(found.json) as Record<string, unknown>) : {}
    context.turnState.set(this.slot, { state, hash: found?.json ?? '{}', version: found?.version ?? 0 } satisfies CachedState)
    return state
  }

  override async saveChanges(context: TurnContext, force = false): Promise<void> {
    let cached = context.turnState.get(this.slot) as CachedState | undefined
    if (!cached && !force) return
    cached ??= { state: {}, hash: '', version: 0 }
    const { eTag: _ignored, ...rest } = cached.state
    const json = JSON.stringify(rest)
    if (!force && json === cached.hash) return
    const version = await this.store.save(this.keyOf(context), json, this.options.checkVersion ? cached.version : '*')
    context.turnState.set(this.slot, { state: cached.state, hash: json, version } satisfies CachedState)
  }
}

/**
 * botbuilder's BotStatePropertyAccessor, line for line (a default is stored as a JSON copy when the property is
 * absent), without the generator-based __awaiter its compiled code uses: a turn makes some 25 of these calls.
 */
class StateProperty<T> implements StatePropertyAccessor<T> {
  constructor(
    readonly state: BotState,
    readonly name: string,
  ) {}

  async get(context: TurnContext): Promise<T | undefined>
  async get(context: TurnContext, defaultValue: T): Promise<T>
  async get(context: TurnContext, defaultValue?: T): Promise<T | undefined> {
    const obj = (await this.state.load(context)) as Record<string, unknown>
    if (!Object.prototype.hasOwnProperty.call(obj, this.name) && defaultValue !== undefined) {
      obj[this.name] = typeof defaultValue === 'object' || Array.isArray(defaultValue) ? JSON.parse(JSON.stringify(defaultValue)) : defaultValue
    }
    return obj[this.name] as T | undefined
  }

  async set(context: TurnContext, value: T): Promise<void> {
    const obj = (await this.state.load(context)) as Record<string, unknown>
    obj[this.name] = value
  }

  async delete(context: TurnContext): Promise<void> {
    const obj = (await this.state.load(context)) as Record<string, unknown>
    if (Object.prototype.hasOwnProperty.call(obj, this.name)) delete obj[this.name]
  }
}
