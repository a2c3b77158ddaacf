/** Registers every kernel family's lowerings. */
import './elementwise.js';
import './reduce.js';
import './matmul.js';
import './softmax.js';
import './cross_entropy.js';
import './optim.js';
import './norm.js';
import './batchnorm.js';
import './gather.js';
import './metrics.js';
