/// <reference types="@webgpu/types" preserve="true" />
/** The browser entry point: slope's API with navigator.gpu. */
import { setGpuProvider } from './engine.js';
import { setTuneCacheProvider } from './backend/webgpu.js';
import { indexedDbTuneCache, memoryTuneCache } from './gpu/tune_cache.js';

setGpuProvider(() => (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu);
setTuneCacheProvider(() => indexedDbTuneCache() ?? memoryTuneCache());

export * from './index.js';
