package org.elasticsearch.node;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.plugins.ClasspathPluginsService;
import org.elasticsearch.plugins.PluginsService;
import org.elasticsearch.transport.netty4.Netty4Plugin;

/**
 * A single Elasticsearch node for the project's tests, listening on 127.0.0.1 only.
 * Usage: TestNode HOME_DIR HTTP_PORT
 */
public final class TestNode {
    public static void main(String[] args) throws Exception {
        Path home = Paths.get(args[0]).toAbsolutePath();
        int httpPort = Integer.parseInt(args[1]);
        for (String dir : List.of("config", "modules", "plugins", "data", "logs")) {
            Files.createDirectories(home.resolve(dir));
        }
        LogConfigurator.configureESLogging();
        Settings settings = Settings.builder()
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("cluster.name", "tourism-test")
            .put("node.name", "tourism-test-node")
            .put("network.host", "127.0.0.1")
            .put("http.port", httpPort)
            .put("transport.port", httpPort + 100)
            .put("http.type", "netty4")
            .put("transport.type", "netty4")
            .put("discovery.type", "single-node")
            .put("indices.breaker.total.use_real_memory", false)
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .put("action.destructive_requires_name", false)
            .build();
        LogConfigurator.configureWithoutConfig(settings);
        Environment environment = new Environment(settings, home.resolve("config"));
        NodeServiceProvider provider = new NodeServiceProvider() {
            @Override
            PluginsService newPluginService(Environment env, Settings nodeSettings) {
                return new ClasspathPluginsService(nodeSettings, env, List.of(Netty4Plugin.class));
            }
        };
        Node node = new Node(NodeConstruction.prepareConstruction(environment, provider, true));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }));
        node.start();
        System.out.println("started http://127.0.0.1:" + httpPort);
        stopped.await();
    }
}
