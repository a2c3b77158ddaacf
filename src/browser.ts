/// <reference types="@webgpu/types" preserve="true" />
/** The browser entry point: slope's API with navigator.gpu. */
import { setGpuProvider } from './engine.js';

setGpuProvider(() => (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu);

export * from './index.js';
