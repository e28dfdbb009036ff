// Opens a LevelDB directory with plain classic-level and keeps it open (and locked) until killed.
import { ClassicLevel } from 'classic-level';

const db = new ClassicLevel(process.argv[2]);
await db.open();
console.log('ready');
setInterval(() => {}, 60_000);
