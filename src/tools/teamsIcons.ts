/**
 * Draws the Teams app icons into deploy/teams/ (run once; the PNGs are committed): a card with a chip on a navy
 * tile (192×192), and the same card as a white outline on transparency (32×32), as Teams requires.
 */
import { writeFileSync } from 'node:fs'
import { encodePng } from '../teams/png.js'

type Rgba = [number, number, number, number]
const NAVY: Rgba = [0x11, 0x2e, 0x51, 255]
const WHITE: Rgba = [255, 255, 255, 255]
const GOLD: Rgba = [0xe0, 0xb0, 0x3a, 255]
const CLEAR: Rgba = [0, 0, 0, 0]

/** A card shape in unit coordinates: the rounded card, its chip and a text line. */
function shape(u: number, v: number): 'card' | 'chip' | 'line' | 'edge' | undefined {
  const inCard = u > 0.12 && u < 0.88 && v > 0.26 && v < 0.74
  if (!inCard) return undefined
  const edge = u < 0.17 || u > 0.83 || v < 0.31 || v > 0.69
  if (u > 0.22 && u < 0.4 && v > 0.38 && v < 0.56) return 'chip'
  if (u > 0.48 && u < 0.76 && v > 0.42 && v < 0.48) return 'line'
  if (u > 0.48 && u < 0.68 && v > 0.54 && v < 0.6) return 'line'
  return edge ? 'edge' : 'card'
}

const color = encodePng(192, 192, (x, y) => {
  const part = shape((x + 0.5) / 192, (y + 0.5) / 192)
  if (part === 'chip') return GOLD
  if (part === 'line') return NAVY
  return part ? WHITE : NAVY
})
const outline = encodePng(32, 32, (x, y) => {
  const part = shape((x + 0.5) / 32, (y + 0.5) / 32)
  return part === 'edge' || part === 'chip' || part === 'line' ? WHITE : CLEAR
})
writeFileSync('deploy/teams/color.png', color)
writeFileSync('deploy/teams/outline.png', outline)
process.stdout.write('wrote deploy/teams/color.png (192×192) and deploy/teams/outline.png (32×32)\n')
