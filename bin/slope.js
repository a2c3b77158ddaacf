#!/usr/bin/env node
import '../dist/cli/slope.js';
