/** The `pngjs` package (CommonJS, no bundled types): the synchronous decoder is all slope uses. */
declare module 'pngjs' {
  interface Decoded { width: number; height: number; data: Uint8Array; colorType: number }
  export const PNG: { sync: { read(b: Uint8Array): Decoded } };
}
