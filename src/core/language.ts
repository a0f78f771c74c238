/** The languages the recognizer reads. Steps are in English only; Spanish is understood and acknowledged. */
export type Language = 'en' | 'es'

// Words frequent in one language and rare in the other (accents stripped); words both use (no, me, a) are left out.
const SPANISH = new Set(
  ('el la los las de del que y en un una unos mi mis es esta estoy por para con se lo al como pero porque ' +
    'tarjeta contrasena cuenta ayuda ayudame puedo puede funciona sirve tengo hola gracias necesito quiero ' +
    'cuando donde cual pagina aparece dice sale ya nueva nuevo olvide mismo tambien muy hay ahora otra vez ' +
    'mensaje certificado certificados usuario entrar iniciar sesion cambiar clave bloqueada bloqueado lector ' +
    'hablar persona favor buenos buenas dias tardes noches adios cancelar registrar comprar salir')
    .split(' '),
)
const ENGLISH = new Set(
  ('the my i is it to and of in with can not what how does doesnt dont cant wont this that on for ' +
    'card password account help please get login log keeps says shows new forgot work working works have ' +
    'need want when where why you your im ive its just still again page certificate reader')
    .split(' '),
)

/** Strips accents so "contraseña" and "contrasena", "sesión" and "sesion" are one word. */
export function stripAccents(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '')
}

/**
 * The language of one message, or undefined when it gives too little to tell (the caller keeps the
 * conversation's language then). Counting function words is enough for two languages this far apart.
 */
export function detectLanguage(words: readonly string[], raw = ''): Language | undefined {
  let es = /[ñ¿¡]|[áéíóú]/i.test(raw) ? 1 : 0
  let en = 0
  for (const word of words) {
    if (SPANISH.has(word)) es++
    if (ENGLISH.has(word)) en++
  }
  if (es >= 2 && es > en) return 'es'
  if (en >= 1 && en >= es) return 'en'
  return undefined
}
