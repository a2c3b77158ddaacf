/** Binary fixtures (safetensors files) are bundled as bytes by esbuild (loader `.safetensors: binary`). */
declare module '*.safetensors' {
  const bytes: Uint8Array;
  export default bytes;
}
