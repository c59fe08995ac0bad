// Initiate the single-node replica set "rs0" and create one database user per Witaj service.
// Run by docker-compose's mongo-init step as the root user; safe to run again. A replica set is what
// MongoDB transactions (the outbox) and change streams need.
const members = [{ _id: 0, host: process.env.MONGO_REPLICA_HOST || "mongo:27017" }];

try {
  rs.status();
} catch (error) {
  if (error.codeName !== "NotYetInitialized") throw error;
  rs.initiate({ _id: "rs0", members });
}

// Users are written on the primary: wait for this node to become it.
for (let attempt = 0; !db.hello().isWritablePrimary; attempt++) {
  if (attempt > 120) throw new Error("no primary after 60 s");
  sleep(500);
}

// One database and one user per service; each user may read and write only its own database.
for (const service of ["content", "events", "notify", "stats", "ask"]) {
  const password = process.env[`WITAJ_${service.toUpperCase()}_MONGO_PASSWORD`];
  if (!password) throw new Error(`WITAJ_${service.toUpperCase()}_MONGO_PASSWORD is not set`);
  const database = db.getSiblingDB(`witaj_${service}`);
  const user = `witaj_${service}`;
  const roles = [{ role: "readWrite", db: `witaj_${service}` }];
  if (database.getUser(user)) {
    database.updateUser(user, { pwd: password, roles });
  } else {
    database.createUser({ user, pwd: password, roles });
  }
  print(`mongo-init: user ${user} is ready`);
}
