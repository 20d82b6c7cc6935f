// SPDX-License-Identifier: BSD-3-Clause
// Fuzz family 6: `batch --merge` of damaged, missing, repeated and foreign shards, and `batch
// --shard` runs interrupted by SIGINT.
import { describeFamily } from './family.js';

describeFamily('shards', 'interrupted and damaged shards');
