/** "1 document", "2 documents", "1 person", "0 people": a count with its noun, the count written as in English text. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
}
