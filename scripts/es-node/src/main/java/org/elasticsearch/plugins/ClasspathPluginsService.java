package org.elasticsearch.plugins;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.elasticsearch.Build;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.jdk.ModuleQualifiedExportsService;

/**
 * Loads plugins from the classpath instead of from a plugins directory, so a node
 * can run from Maven Central jars alone (the official launcher is not published there).
 */
public class ClasspathPluginsService extends PluginsService {
    private final List<LoadedPlugin> classpathPlugins;

    public ClasspathPluginsService(Settings settings, Environment environment, Collection<Class<? extends Plugin>> classes) {
        super(settings, environment.configFile(), environment.modulesFile(), environment.pluginsFile());
        List<LoadedPlugin> loaded = new ArrayList<>();
        for (Class<? extends Plugin> pluginClass : classes) {
            Plugin plugin = loadPlugin(pluginClass, settings, environment.configFile());
            PluginDescriptor descriptor = new PluginDescriptor(
                pluginClass.getName(), "classpath plugin", "NA", Build.current().version(), "17",
                pluginClass.getName(), null, List.of(), false, false, false, false);
            loaded.add(new LoadedPlugin(descriptor, plugin));
        }
        this.classpathPlugins = loaded;
        loadExtensions(loaded);
    }

    @Override
    protected void addServerExportsService(Map<String, List<ModuleQualifiedExportsService>> qualifiedExports) {
        // The server runs from the classpath, not as a named module: nothing to export.
    }

    @Override
    protected final List<LoadedPlugin> plugins() {
        return classpathPlugins;
    }
}
