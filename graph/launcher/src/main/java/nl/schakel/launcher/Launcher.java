package nl.schakel.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.configuration.ssl.ClientAuth;
import org.neo4j.configuration.ssl.SslPolicyConfig;
import org.neo4j.configuration.ssl.SslPolicyScope;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Result;
import org.neo4j.graphdb.Transaction;

/**
 * Runs Neo4j Community embedded with only a Bolt connector, on 127.0.0.1.
 *
 * <p>Usage: {@code Launcher --home DIR --port N [--pagecache SIZE] [--password-file F]
 * [--tls-dir D] [--watch-stdin]}. With {@code --password-file}, authentication is on and
 * the user {@code neo4j} has the password on the file's first line; with {@code --tls-dir},
 * Bolt takes TLS connections only, with {@code private.key} and {@code public.crt} of D.
 * Prints exactly one line starting with {@code SCHAKEL-NEO4J READY} once Bolt answers, or
 * one line starting with {@code SCHAKEL-NEO4J ERROR} and exits non-zero. Stops cleanly on
 * SIGTERM, and, with {@code --watch-stdin}, when standard input closes (so a test session
 * that dies takes its database with it).
 */
public final class Launcher {
    static final String LOOPBACK = "127.0.0.1";

    static final int EXIT_USAGE = 64;
    static final int EXIT_PORT_TAKEN = 65;
    static final int EXIT_START_FAILED = 66;

    private Launcher() {}

    public static void main(String[] args) {
        Map<String, String> opts = parse(args);
        if (opts == null || !opts.containsKey("home") || !opts.containsKey("port")) {
            fail(EXIT_USAGE, "usage: Launcher --home DIR --port N [--pagecache SIZE] "
                    + "[--password-file F] [--tls-dir D] [--watch-stdin]");
            return;
        }
        Path home = Path.of(opts.get("home")).toAbsolutePath();
        int port;
        try {
            port = Integer.parseInt(opts.get("port"));
        } catch (NumberFormatException e) {
            fail(EXIT_USAGE, "port is not a number: " + opts.get("port"));
            return;
        }
        if (!portFree(port)) {
            fail(EXIT_PORT_TAKEN, "port " + port + " on " + LOOPBACK + " is already in use");
            return;
        }
        DatabaseManagementService service;
        String password = null;
        try {
            Files.createDirectories(home);
            if (opts.containsKey("password-file")) {
                password = Files.readAllLines(Path.of(opts.get("password-file"))).get(0).strip();
            }
            Path tls = opts.containsKey("tls-dir") ? Path.of(opts.get("tls-dir")).toAbsolutePath() : null;
            service = build(home, port, opts.getOrDefault("pagecache", "512m"), password != null, tls);
            if (password != null) {
                // the password of the file, each start: changing the file changes it
                try {
                    service.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                            "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
                            Map.of("password", password));
                } catch (RuntimeException e) {
                    if (!rootMessage(e).contains("cannot be the same")) {
                        throw e; // the same password as before is no error: it is set
                    }
                }
            }
        } catch (Throwable e) {
            fail(EXIT_START_FAILED, "could not start Neo4j in " + home + ": " + rootMessage(e));
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.shutdown();
            stopped.countDown();
        }, "schakel-neo4j-shutdown"));

        String version;
        try {
            version = checkReady(service);
        } catch (Throwable e) {
            fail(EXIT_START_FAILED, "the database in " + home + " could not be opened: " + rootMessage(e));
            return;
        }
        System.out.println("SCHAKEL-NEO4J READY bolt://" + LOOPBACK + ":" + port + " " + version);
        System.out.flush();

        if (opts.containsKey("watch-stdin")) {
            Thread watcher = new Thread(() -> {
                try {
                    InputStream in = System.in;
                    while (in.read() != -1) {
                        // nothing is read from stdin; it only tells us our parent is alive
                    }
                } catch (IOException ignored) {
                    // a broken pipe means the same as end of input
                }
                System.exit(0); // runs the shutdown hook
            }, "schakel-neo4j-stdin");
            watcher.setDaemon(true);
            watcher.start();
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static DatabaseManagementService build(Path home, int port, String pagecache, boolean auth,
                                           Path tls) throws IOException {
        // No traffic beyond loopback. Usage reports (UDC) are switched off twice: the public
        // setting and the internal one that gates the network ping itself. Neo4j 5.26.x has
        // no fleet-discovery feature: no class or setting in any of its jars names "fleet"
        // (checked by listing the strings of every neo4j-*.jar of 5.26.30), so there is
        // nothing to switch off; recheck this on every upgrade. Every listener is bound to
        // 127.0.0.1, and tests read these values back with SHOW SETTINGS.
        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home);
        if (tls != null) {
            SslPolicyConfig policy = SslPolicyConfig.forScope(SslPolicyScope.BOLT);
            Files.createDirectories(tls.resolve("trusted"));
            Files.createDirectories(tls.resolve("revoked"));
            builder.setConfig(policy.enabled, true)
                    .setConfig(policy.base_directory, tls)
                    .setConfig(policy.private_key, tls.resolve("private.key"))
                    .setConfig(policy.public_certificate, tls.resolve("public.crt"))
                    .setConfig(policy.client_auth, ClientAuth.NONE);
        }
        return builder
                .setConfig(GraphDatabaseSettings.auth_enabled, auth)
                .setConfig(GraphDatabaseSettings.default_listen_address, new SocketAddress(LOOPBACK))
                .setConfig(GraphDatabaseSettings.default_advertised_address, new SocketAddress(LOOPBACK))
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(LOOPBACK, port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress(LOOPBACK, port))
                .setConfig(BoltConnector.encryption_level, tls != null
                        ? BoltConnector.EncryptionLevel.REQUIRED : BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                .setConfig(GraphDatabaseInternalSettings.udc_network_enabled, false)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                // Query parameters can hold pseudonyms: Schakel keeps its own audit log, so the
                // server's query log (VERBOSE, with parameters, by default) stays off.
                .setConfig(GraphDatabaseSettings.log_queries, GraphDatabaseSettings.LogQueryLevel.OFF)
                .setConfig(GraphDatabaseSettings.log_queries_parameter_logging_enabled, false)
                // LOAD CSV may not read files of this machine.
                .setConfig(GraphDatabaseSettings.allow_file_urls, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, parseSize(pagecache))
                // A stuck query must not hold the server: the console sets shorter ones.
                .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofMinutes(30))
                .build();
    }

    static String checkReady(DatabaseManagementService service) {
        GraphDatabaseService db = service.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        try (Transaction tx = db.beginTx();
             Result result = tx.execute("CALL dbms.components() YIELD versions RETURN versions[0] AS v")) {
            return String.valueOf(result.next().get("v"));
        }
    }

    static boolean portFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(LOOPBACK, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static long parseSize(String size) {
        String s = size.trim().toLowerCase();
        long unit = 1;
        char last = s.charAt(s.length() - 1);
        if (last == 'k' || last == 'm' || last == 'g') {
            unit = last == 'k' ? 1L << 10 : last == 'm' ? 1L << 20 : 1L << 30;
            s = s.substring(0, s.length() - 1);
        }
        return Long.parseLong(s) * unit;
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--watch-stdin")) {
                opts.put("watch-stdin", "true");
            } else if (a.startsWith("--") && i + 1 < args.length) {
                opts.put(a.substring(2), args[++i]);
            } else {
                return null;
            }
        }
        return opts;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        StringBuilder msg = new StringBuilder(String.valueOf(e.getMessage()));
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
            if (t.getMessage() != null && !msg.toString().contains(t.getMessage())) {
                msg.append(": ").append(t.getMessage());
            }
        }
        return msg.toString().replace('\n', ' ');
    }

    static void fail(int code, String message) {
        System.out.println("SCHAKEL-NEO4J ERROR " + message);
        System.out.flush();
        System.exit(code); // runs the shutdown hook if a half-started server needs stopping
    }
}
