/// <reference types="@webgpu/types" preserve="true" />
/** The Node entry point: slope's API with Dawn (the `webgpu` package) as the GPU. */
import { setGpuProvider } from './engine.js';
import { nodeGpu, releaseNodeGpu } from './gpu/node.js';
import { setTuneCacheProvider } from './backend/webgpu.js';
import { nodeTuneCache } from './gpu/tune_cache_node.js';

setGpuProvider(() => nodeGpu(), releaseNodeGpu);
setTuneCacheProvider(nodeTuneCache);

export * from './index.js';
export * from './data/node.js';
export { writeFileAtomic, readCheckpointFile, checkOutputPath, removeStaleTemps, MAX_CHECKPOINT_BYTES,
  type AtomicFs } from './io/node.js';
export { loadImageFolder, readImageFolder, readImage, decodeImage, listImages, MAX_IMAGE_PIXELS,
  type ImageFolderOptions } from './data/images_node.js';
