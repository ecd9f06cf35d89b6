/** Retrieval tiers of RestoreObject (S3 User Guide, "Understanding archive retrieval options"). */
export type RestoreTier = 'Expedited' | 'Standard' | 'Bulk';
