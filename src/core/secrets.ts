/** What a secret looked like; the bot names the kind in its warning, never the value. */
export type SecretKind = 'pin' | 'password' | 'ssn' | 'edipi'

export const REDACTED = '[redacted]'

// Words that follow "password is" in complaints, not passwords ("my password is expired").
const NOT_A_PASSWORD = new Set(
  'not wrong expired locked incorrect correct invalid working broken reset still too no the my a an bad same old new blocked disabled'.split(
    ' ',
  ),
)

const PATTERNS: { kind: SecretKind; pattern: RegExp; group?: number }[] = [
  { kind: 'ssn', pattern: /\b\d{3}[- ]\d{2}[- ]\d{4}\b/g },
  { kind: 'edipi', pattern: /\b\d{10}\b/g }, // the 10-digit DoD ID number
  { kind: 'ssn', pattern: /\b\d{9}\b/g },
  { kind: 'pin', pattern: /\b(pin(?:\s*(?:number|code|#))?\s*(?:is|was|=|:|-)?\s*)(\d{4,8})\b/gi, group: 2 },
  { kind: 'pin', pattern: /\b\d{6,8}\b/g }, // CAC PINs are 6 to 8 digits
  {
    kind: 'password',
    pattern: /\b((?:password|passwd|pwd|pw|passcode|passphrase)\s*(?:is|was|=|:)\s*)(\S+)/gi,
    group: 2,
  },
]

/** Removes anything that looks like a PIN, password, SSN or EDIPI; says which kinds it removed. */
export function redactSecrets(text: string): { text: string; found: SecretKind[] } {
  const found = new Set<SecretKind>()
  let result = text
  for (const { kind, pattern, group } of PATTERNS) {
    result = result.replace(pattern, (match: string, ...groups: unknown[]) => {
      if (group === undefined) {
        found.add(kind)
        return REDACTED
      }
      const prefix = String(groups[0])
      const value = String(groups[group - 1])
      if (value === REDACTED || (kind === 'password' && NOT_A_PASSWORD.has(value.toLowerCase().replace(/[.,!?]$/, '')))) {
        return match
      }
      found.add(kind)
      return prefix + REDACTED
    })
  }
  return { text: result, found: [...found] }
}

/** True when nothing but secrets, punctuation and filler is left after redaction. */
export function isOnlySecret(redacted: string): boolean {
  const rest = redacted
    .split(REDACTED)
    .join(' ')
    .toLowerCase()
    .replace(/\b(my|the|is|was|pin|password|pw|pwd|ssn|edipi|dod|id|number|here|it|its|this|and|:)\b/g, ' ')
    .replace(/[^a-z]/g, '')
  return rest.length < 3
}
