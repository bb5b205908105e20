import type { ConceptEntry } from '../types.js';

export const evaluation: ConceptEntry[] = [];
