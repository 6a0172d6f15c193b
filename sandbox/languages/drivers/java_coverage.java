// PerfOrch's Java `coverage` mode (written into the coverage build as PerforchCoverage.java,
// see java.coverage_program): the JDK's own debugger interface (JDI), no agent or library.
//
//     PerforchCoverage SOURCE DRIVER coverage
//
// Launches the driver (class DRIVER, `outputs` mode: each case once) in a second JVM under the
// debugger, with this JVM's own options. Once the driver enters outputs() (the inputs are
// built by then, so building them does not count), every line of the classes compiled from
// SOURCE (by their SourceFile attribute) gets a breakpoint that is removed at its first hit.
// Prints {"lines": [...], "executable": [...]}: the lines that ran, and those with code.
// The driver itself is not instrumented: breakpoints live in the debugger.

import com.sun.jdi.AbsentInformationException;
import com.sun.jdi.Bootstrap;
import com.sun.jdi.Location;
import com.sun.jdi.Method;
import com.sun.jdi.ReferenceType;
import com.sun.jdi.VirtualMachine;
import com.sun.jdi.connect.Connector;
import com.sun.jdi.connect.LaunchingConnector;
import com.sun.jdi.event.BreakpointEvent;
import com.sun.jdi.event.ClassPrepareEvent;
import com.sun.jdi.event.Event;
import com.sun.jdi.event.EventSet;
import com.sun.jdi.event.VMDisconnectEvent;
import com.sun.jdi.request.BreakpointRequest;
import com.sun.jdi.request.ClassPrepareRequest;
import com.sun.jdi.request.EventRequest;
import com.sun.jdi.request.EventRequestManager;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

public final class PerforchCoverage {
    private static final String START = "perforch-start";

    private final EventRequestManager requests;
    private final List<ReferenceType> prepared = new ArrayList<>();
    private final TreeSet<Integer> ran = new TreeSet<>();
    private final TreeSet<Integer> code = new TreeSet<>();
    private boolean started;

    private PerforchCoverage(EventRequestManager requests) {
        this.requests = requests;
    }

    public static void main(String[] argv) throws Exception {
        if (argv.length != 3 || !argv[2].equals("coverage")) {
            System.err.println("perforch: usage: PerforchCoverage SOURCE DRIVER coverage");
            System.exit(2);
        }
        String source = argv[0];
        String driver = argv[1];
        LaunchingConnector connector = Bootstrap.virtualMachineManager().defaultConnector();
        Map<String, Connector.Argument> arguments = connector.defaultArguments();
        // The same heap and JVM flags as this JVM got (the launcher sized the heap to the limit).
        String options = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(option -> !option.contains(" ") && !option.startsWith("-agentlib"))
                .collect(Collectors.joining(" "));
        arguments.get("options").setValue(options + " -cp " + System.getProperty("java.class.path"));
        arguments.get("main").setValue(driver + " outputs");
        VirtualMachine vm = connector.launch(arguments);
        drain(vm.process().getInputStream(), OutputStream.nullOutputStream());
        drain(vm.process().getErrorStream(), System.err);

        PerforchCoverage coverage = new PerforchCoverage(vm.eventRequestManager());
        ClassPrepareRequest sources = coverage.requests.createClassPrepareRequest();
        sources.addSourceNameFilter(source);
        sources.setSuspendPolicy(EventRequest.SUSPEND_EVENT_THREAD);
        sources.enable();
        ClassPrepareRequest drivers = coverage.requests.createClassPrepareRequest();
        drivers.addClassFilter(driver);
        drivers.setSuspendPolicy(EventRequest.SUSPEND_EVENT_THREAD);
        drivers.enable();
        boolean connected = true;
        while (connected) {
            EventSet events = vm.eventQueue().remove();
            for (Event event : events) {
                if (event instanceof VMDisconnectEvent) {
                    connected = false;
                } else {
                    coverage.handle(event, driver);
                }
            }
            events.resume();
        }
        int status = vm.process().waitFor();
        if (status != 0) {
            fail("the driver under the debugger exited with " + status);
        }
        if (!coverage.started) {
            fail("the driver never reached outputs()");
        }
        System.out.println("{\"lines\": " + coverage.ran + ", \"executable\": " + coverage.code + "}");
        System.exit(0);
    }

    private void handle(Event event, String driver) {
        if (event instanceof ClassPrepareEvent prepare) {
            ReferenceType type = prepare.referenceType();
            if (type.name().equals(driver)) {
                List<Method> outputs = type.methodsByName("outputs");
                if (outputs.size() != 1 || outputs.get(0).location() == null) {
                    fail("the driver has no outputs() to start at");
                }
                breakpoint(outputs.get(0).location()).putProperty(START, true);
            } else {
                prepared.add(type);
                for (Location location : locations(type)) {
                    code.add(location.lineNumber());
                }
                if (started) {
                    watch(type);
                }
            }
        } else if (event instanceof BreakpointEvent hit) {
            requests.deleteEventRequest(hit.request());
            if (hit.request().getProperty(START) != null) {
                started = true;
                prepared.forEach(this::watch);
            } else {
                ran.add(hit.location().lineNumber());
            }
        }
    }

    private void watch(ReferenceType type) {
        for (Location location : locations(type)) {
            breakpoint(location);
        }
    }

    private BreakpointRequest breakpoint(Location location) {
        BreakpointRequest request = requests.createBreakpointRequest(location);
        request.setSuspendPolicy(EventRequest.SUSPEND_EVENT_THREAD);
        request.enable();
        return request;
    }

    private static List<Location> locations(ReferenceType type) {
        try {
            return type.allLineLocations();
        } catch (AbsentInformationException e) {
            return List.of();  // compiled without line numbers: nothing to report
        }
    }

    private static void drain(InputStream from, OutputStream to) {
        Thread thread = new Thread(() -> {
            try {
                from.transferTo(to);
                to.flush();
            } catch (java.io.IOException e) {
                // the debuggee is gone; its exit status says how
            }
        });
        thread.setDaemon(true);
        thread.start();
    }

    private static void fail(String message) {
        System.err.println("perforch: " + message);
        System.exit(4);
    }
}
