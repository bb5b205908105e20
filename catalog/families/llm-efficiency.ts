import type { ConceptEntry } from '../types.js';

export const llmEfficiency: ConceptEntry[] = [];
