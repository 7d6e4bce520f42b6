import {createRequire} from 'node:module'

/**
 * Loads a native addon built at install (build-native.mjs), or undefined where it is not built,
 * fails to load, is turned off (PIXEL_NATIVE=0), or `fits` refuses it (a stale build): every
 * caller then keeps its JavaScript twin, with the same answers.
 *
 * @example const binding = loadAddon<Binding>(NATIVE_GUNZIP_PATH)
 */
export function loadAddon<T>(path: string, fits: (binding: T) => boolean = () => true): T | undefined {
  if (process.env.PIXEL_NATIVE === '0') return undefined
  try {
    const binding = createRequire(import.meta.url)(path) as T
    return fits(binding) ? binding : undefined
  } catch {
    return undefined
  }
}
