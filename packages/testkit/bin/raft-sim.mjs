#!/usr/bin/env node
// Launcher for the built CLI, so the bin exists before the package is built.
import '../dist/cli.js';
