package org.fcn4j.infer.djl;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.engine.EngineProvider;
import ai.djl.ndarray.NDManager;
import org.fcn4j.nn.Torch;
import org.fcn4j.util.Version;

/**
 * fcn4j as a DJL engine ({@code optEngine("fcn4j")}): its models are fcn4j model directories ({@link Fcn4jModel})
 * and its tensors are the PyTorch engine's, which fcn4j computes with. Registered through {@link Provider} (a
 * {@code META-INF/services} entry), ranked after every real engine so it is never DJL's default.
 */
public final class Fcn4jEngine extends Engine {
    public static final String NAME = "fcn4j";
    private static final int RANK = 100;

    @Override
    public Engine getAlternativeEngine() {
        return null;
    }

    @Override
    public String getEngineName() {
        return NAME;
    }

    @Override
    public int getRank() {
        return RANK;
    }

    @Override
    public String getVersion() {
        return Version.get();
    }

    @Override
    public boolean hasCapability(String capability) {
        return Torch.engine().hasCapability(capability);
    }

    @Override
    public Model newModel(String name, Device device) {
        return new Fcn4jModel(name);
    }

    @Override
    public NDManager newBaseManager() {
        return Torch.engine().newBaseManager();
    }

    @Override
    public NDManager newBaseManager(Device device) {
        return Torch.engine().newBaseManager(device);
    }

    /** The {@link java.util.ServiceLoader} entry DJL finds engines by. */
    public static final class Provider implements EngineProvider {
        private static volatile Engine engine;

        @Override
        public String getEngineName() {
            return NAME;
        }

        @Override
        public int getEngineRank() {
            return RANK;
        }

        @Override
        public Engine getEngine() {
            if (engine == null) {
                synchronized (Provider.class) {
                    if (engine == null) {
                        engine = new Fcn4jEngine();
                    }
                }
            }
            return engine;
        }
    }
}
