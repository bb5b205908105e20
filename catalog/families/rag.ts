import type { ConceptEntry } from '../types.js';

export const rag: ConceptEntry[] = [];
