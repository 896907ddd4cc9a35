// The release command: runs once before each release goes live (migrations belong here).
console.log(`release: preparing ${process.env.GREETING ?? 'the app'}`);
