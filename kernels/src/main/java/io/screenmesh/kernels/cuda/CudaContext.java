package io.screenmesh.kernels.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;
import static jcuda.driver.JCudaDriver.cuOccupancyMaxPotentialBlockSize;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import io.screenmesh.nativ.cuda.CuBlas;
import io.screenmesh.nativ.cuda.CuFft;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;

/**
 * The one owner of a device's CUDA state: the primary context, one stream, the kernel modules,
 * the cuFFT plans, the cuBLAS handle and a grow-only workspace of device buffers.
 *
 * <p>All CUDA work runs on one platform thread that this object owns ({@link #call}); the context
 * is bound on that thread before each call. A single owner thread makes the context binding
 * reliable for any caller — virtual threads included, which may change carrier threads between
 * two JNI calls — and serializes use of the stream, plans and workspace, which are not
 * thread-safe. Callers block until their work is done.
 *
 * <p>The primary context is used (not {@code cuCtxCreate}) because cuFFT and cuBLAS run on the
 * CUDA runtime, which shares the primary context with the driver API.
 *
 * <p>Work is enqueued on the stream without synchronizing after each launch; copies to the host
 * ({@code cuMemcpyDtoH}, synchronous on the legacy default stream, with which a stream created
 * with flags 0 synchronizes) complete it, and {@link #synchronize()} waits explicitly.
 *
 * <p>{@link #close()} releases everything on the owner thread, is idempotent and also runs at
 * JVM shutdown; calls after close throw {@link IllegalStateException}.
 */
public final class CudaContext implements AutoCloseable {
    /** Largest block of the kernels that reduce in shared memory ({@code SM_MAX_BLOCK} in the .cu). */
    static final int MAX_REDUCE_BLOCK = 256;

    private static final int MAX_CACHED_PLANS = 8;

    private final ExecutorService owner;
    private final Thread shutdownHook;
    private volatile Thread ownerThread;
    private volatile boolean closed;

    // Touched only on the owner thread.
    private CUdevice device;
    private CUcontext context;
    private final Stream stream = new Stream();
    private final List<CUmodule> modules = new ArrayList<>();
    private final Map<String, Kernel> kernels = new HashMap<>();
    private final Map<String, DeviceBuffer> workspace = new HashMap<>();
    private final LinkedHashMap<String, CuFft.Plan> plans = new LinkedHashMap<>(16, 0.75f, true);
    private CuFft fft;
    private CuBlas.Handle blas;
    private String images = "";
    private String libraries = "";

    /** A stream that can say its raw handle, for cuFFT and cuBLAS through FFM (see {@link DevicePointer}). */
    private static final class Stream extends CUstream {
        long address() {
            return getNativePointer();
        }
    }

    /** A kernel and its launch geometry, from the occupancy calculator for this device. */
    record Kernel(String name, CUfunction function, int block, int grid) {
    }

    private CudaContext(int ordinal) {
        owner = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "screenmesh-cuda-" + ordinal);
            t.setDaemon(true);
            ownerThread = t;
            return t;
        });
        shutdownHook = new Thread(this::close, "screenmesh-cuda-shutdown");
    }

    /**
     * Retains the primary context of device {@code ordinal}, loads the kernel images chosen for it,
     * and binds cuFFT and cuBLAS.
     *
     * @param probe a successful probe of the device
     * @return the open context; the caller owns it
     * @throws CudaException when a driver call fails
     * @throws io.screenmesh.nativ.cuda.CudaLibraryException when cuFFT or cuBLAS cannot be loaded
     * @throws IllegalArgumentException when no kernel image fits the device
     */
    public static CudaContext open(CudaProbe.Result probe) {
        CudaContext ctx = new CudaContext(probe.ordinal());
        try {
            ctx.call(c -> {
                c.init(probe);
                return null;
            });
        } catch (RuntimeException | Error e) {
            ctx.close();
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(ctx.shutdownHook);
        return ctx;
    }

    private void init(CudaProbe.Result probe) {
        CudaException.check(cuInit(0));
        device = new CUdevice();
        CudaException.check(cuDeviceGet(device, probe.ordinal()));
        CUcontext primary = new CUcontext();
        CudaException.check(cuDevicePrimaryCtxRetain(primary, device));
        context = primary;
        CudaException.check(cuCtxSetCurrent(context));
        CudaException.check(cuStreamCreate(stream, 0));
        String mode = System.getProperty(KernelImages.IMAGE_PROPERTY, "auto");
        List<String> loaded = new ArrayList<>();
        for (Map.Entry<String, List<String>> module : KernelImages.KERNELS.entrySet()) {
            KernelImages.Image image = KernelImages.choose(module.getKey(), probe.major(), probe.minor(), mode);
            CUmodule handle = new CUmodule();
            CudaException.check(cuModuleLoadData(handle, KernelImages.read(image)));
            modules.add(handle);
            loaded.add(image.resource());
            for (String name : module.getValue()) {
                kernels.put(name, kernel(handle, name));
            }
        }
        images = String.join(", ", loaded.stream().sorted().toList());
        fft = CuFft.load();
        CuBlas blasLibrary = CuBlas.load();
        blas = blasLibrary.create();
        blas.setStream(stream.address());
        libraries = fft.library().soname() + ", " + blasLibrary.library().soname();
    }

    private static Kernel kernel(CUmodule module, String name) {
        CUfunction function = new CUfunction();
        CudaException.check(cuModuleGetFunction(function, module, name));
        int[] minGrid = new int[1];
        int[] block = new int[1];
        CudaException.check(cuOccupancyMaxPotentialBlockSize(minGrid, block, function, null, 0, 0));
        return new Kernel(name, function, block[0], minGrid[0]);
    }

    /**
     * Runs {@code work} on the owner thread with the context bound, and returns its result.
     *
     * @throws IllegalStateException when the context is closed, or the caller is interrupted
     * @throws CudaException and any other exception {@code work} throws, as thrown
     */
    public <T> T call(Function<CudaContext, T> work) {
        if (closed) {
            throw new IllegalStateException("CUDA context is closed");
        }
        if (Thread.currentThread() == ownerThread) {
            return bound(work);
        }
        Future<T> result;
        try {
            result = owner.submit(() -> bound(work));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new IllegalStateException("CUDA context is closed", e);
        }
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the GPU", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
    }

    private <T> T bound(Function<CudaContext, T> work) {
        if (context != null) {
            CudaException.check(cuCtxSetCurrent(context));
        }
        return work.apply(this);
    }

    /** Returns which image each module runs, e.g. {@code "similarity_sm90.cubin, ..."}. */
    String images() {
        return images;
    }

    /** Returns the cuFFT and cuBLAS libraries in use, e.g. {@code "libcufft.so.12, libcublas.so.13"}. */
    String libraries() {
        return libraries;
    }

    // ---- owner-thread operations (call only inside call(...)) ---------------------------------

    /** Returns a workspace buffer named {@code slot} of at least {@code bytes}; grows, never shrinks. */
    DeviceBuffer workspace(String slot, long bytes) {
        DeviceBuffer buffer = workspace.get(slot);
        if (buffer == null || buffer.byteSize() < bytes) {
            if (buffer != null) {
                workspace.remove(slot);
                buffer.close();
            }
            buffer = DeviceBuffer.allocate(Math.max(bytes, 1));
            workspace.put(slot, buffer);
        }
        return buffer;
    }

    /** Copies {@code bytes} from the start of {@code source} to the device. */
    void upload(MemorySegment source, DeviceBuffer target, long targetOffset, long bytes) {
        if (bytes > 0) {
            CudaException.check(cuMemcpyHtoD(at(target, targetOffset), HostPointers.of(source), bytes));
        }
    }

    /** Copies {@code bytes} from a Java array to the device. */
    void upload(Pointer source, DeviceBuffer target, long bytes) {
        if (bytes > 0) {
            CudaException.check(cuMemcpyHtoD(target.pointer(), source, bytes));
        }
    }

    /** Copies {@code bytes} from the device to the start of {@code target}; waits for the stream's work. */
    void download(DeviceBuffer source, long sourceOffset, MemorySegment target, long bytes) {
        if (target.isReadOnly()) {
            throw new IllegalArgumentException("output segment is read-only");
        }
        if (bytes > 0) {
            CudaException.check(cuMemcpyDtoH(HostPointers.of(target), at(source, sourceOffset), bytes));
        }
    }

    /** Copies {@code bytes} from the device into a Java array pointer; waits for the stream's work. */
    void download(DeviceBuffer source, Pointer target, long bytes) {
        if (bytes > 0) {
            CudaException.check(cuMemcpyDtoH(target, source.pointer(), bytes));
        }
    }

    private static CUdeviceptr at(DeviceBuffer buffer, long offset) {
        return offset == 0 ? buffer.pointer() : buffer.pointer().withByteOffset(offset);
    }

    /** Returns the kernel of that name. */
    Kernel kernel(String name) {
        Kernel k = kernels.get(name);
        if (k == null) {
            throw new IllegalStateException("kernel " + name + " is not loaded");
        }
        return k;
    }

    /**
     * Launches a grid-stride kernel over {@code work} items: the occupancy calculator's block
     * size, and no more blocks than fill the device once.
     */
    void launch(String name, long work, Object... args) {
        Kernel k = kernel(name);
        long blocks = Math.max(1, Math.min(ceilDiv(work, k.block()), k.grid()));
        launch(k, (int) blocks, 1, k.block(), args);
    }

    /**
     * Launches a kernel that reduces in shared memory: the occupancy block size rounded down to a
     * power of two no larger than {@link #MAX_REDUCE_BLOCK}, on a {@code gridX × gridY} grid.
     */
    void launchReducing(String name, int gridX, int gridY, Object... args) {
        Kernel k = kernel(name);
        launch(k, gridX, gridY, reduceBlock(k), args);
    }

    /** Returns the blocks that fill the device once for a reducing kernel. */
    int deviceBlocks(String name) {
        Kernel k = kernel(name);
        return Math.max(1, k.grid() * k.block() / reduceBlock(k));
    }

    static int reduceBlock(Kernel k) {
        return Integer.highestOneBit(Math.max(32, Math.min(k.block(), MAX_REDUCE_BLOCK)));
    }

    private void launch(Kernel k, int gridX, int gridY, int block, Object[] args) {
        NativePointerObject[] params = new NativePointerObject[args.length];
        for (int i = 0; i < args.length; i++) {
            params[i] = switch (args[i]) {
                case DeviceBuffer b -> Pointer.to(b.pointer());
                case CUdeviceptr p -> Pointer.to(p);
                case Integer v -> Pointer.to(new int[] {v});
                case Long v -> Pointer.to(new long[] {v});
                case Float v -> Pointer.to(new float[] {v});
                default -> throw new IllegalArgumentException("kernel argument type " + args[i].getClass());
            };
        }
        CudaException.check(cuLaunchKernel(k.function(), gridX, gridY, 1, block, 1, 1, 0, stream,
                Pointer.to(params), null));
    }

    /** Returns a cached cuFFT plan on this context's stream. */
    CuFft.Plan plan(boolean forward, int n, int batch) {
        String key = (forward ? "r2c:" : "c2r:") + n + "x" + batch;
        CuFft.Plan plan = plans.get(key);
        if (plan == null) {
            if (plans.size() >= MAX_CACHED_PLANS) {
                var eldest = plans.entrySet().iterator().next();
                plans.remove(eldest.getKey());
                eldest.getValue().close();
            }
            plan = forward ? fft.planR2C(n, batch) : fft.planC2R(n, batch);
            try {
                plan.setStream(stream.address());
            } catch (RuntimeException e) {
                plan.close();
                throw e;
            }
            plans.put(key, plan);
        }
        return plan;
    }

    /** Returns the cuBLAS handle, bound to this context's stream. */
    CuBlas.Handle blas() {
        return blas;
    }

    /** Waits for the work enqueued on the stream. */
    void synchronize() {
        CudaException.check(cuStreamSynchronize(stream));
    }

    /** Returns whether {@link #close()} has been called. */
    public boolean isClosed() {
        return closed;
    }

    static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /**
     * Frees the workspace, plans, cuBLAS handle, modules and stream and releases the primary
     * context, on the owner thread; idempotent. The first failure is thrown after everything was
     * attempted.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            if (Thread.currentThread() != shutdownHook) {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            }
        } catch (IllegalStateException | IllegalArgumentException shuttingDownOrNotRegistered) {
            // Nothing to remove.
        }
        Future<?> release = owner.submit(this::release);
        owner.shutdown();
        if (Thread.currentThread() == ownerThread) {
            return; // release runs after the current task
        }
        try {
            release.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private void release() {
        RuntimeException first = null;
        List<AutoCloseable> resources = new ArrayList<>(workspace.values());
        resources.addAll(plans.values());
        if (blas != null) {
            resources.add(blas);
        }
        workspace.clear();
        plans.clear();
        try {
            if (context != null) {
                CudaException.check(cuCtxSetCurrent(context));
            }
            for (AutoCloseable resource : resources) {
                try {
                    resource.close();
                } catch (Exception e) {
                    first = first == null ? asRuntime(e) : first;
                }
            }
            for (CUmodule module : modules) {
                try {
                    CudaException.check(cuModuleUnload(module));
                } catch (RuntimeException e) {
                    first = first == null ? e : first;
                }
            }
            modules.clear();
            if (stream.address() != 0) {
                try {
                    CudaException.check(cuStreamDestroy(stream));
                } catch (RuntimeException e) {
                    first = first == null ? e : first;
                }
            }
        } finally {
            if (context != null) {
                context = null;
                CudaException.check(cuDevicePrimaryCtxRelease(device));
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static RuntimeException asRuntime(Exception e) {
        return e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }
}
