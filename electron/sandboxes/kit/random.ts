// The seeded PRNG lives in shared/ so test data generators and benchmarks use the same one.
export { seededRandom, type Random } from '@shared/seeded-random';
