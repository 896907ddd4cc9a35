#!/usr/bin/env node
// The installed entry point: the compiled CLI does the work.
import '../dist/cli/main.js';
