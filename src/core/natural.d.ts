// natural's submodules ship no types of their own; only what we use is declared.
declare module 'natural/lib/natural/stemmers/porter_stemmer.js' {
  const stemmer: { stem(token: string): string }
  export default stemmer
}
declare module 'natural/lib/natural/tokenizers/regexp_tokenizer.js' {
  export class WordTokenizer {
    tokenize(text: string): string[]
  }
}
declare module 'natural/lib/natural/stemmers/porter_stemmer_es.js' {
  const stemmer: { stem(token: string): string }
  export default stemmer
}
declare module 'natural/lib/natural/phonetics/metaphone.js' {
  export default class Metaphone {
    process(token: string): string
  }
}
