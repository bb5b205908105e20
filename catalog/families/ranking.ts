import type { ConceptEntry } from '../types.js';

export const ranking: ConceptEntry[] = [];
