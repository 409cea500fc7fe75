using System.Net;
using Ops.SampleApp;
using Ops.SampleApp.Chaos;

// The sample workload of the sandbox: a small "checkout" service (ASP.NET Core, as users run) that answers
// HTTP on LISTEN:PORT, writes a log file at LOG_PATH with an ERROR every fifth line, and keeps a backlog of
// orders on a worker thread, so diagnostics have a real .NET process, a real port, a real file, a known stack
// and a known heap type to look at. Its /chaos endpoints make the faults diagnostics are for: a hot method, a
// heap full of one type, a burst of exceptions, a deadlock, a crash, a failing readiness check.
var address = IPAddress.Parse(Environment.GetEnvironmentVariable("LISTEN") is { Length: > 0 } listen ? listen : "127.0.0.1");
var port = int.TryParse(Environment.GetEnvironmentVariable("PORT"), out var p) ? p : 8080;
var logPath = Environment.GetEnvironmentVariable("LOG_PATH") is { Length: > 0 } path ? path : Path.Combine("var", "log", "app", "app.log");

var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(address, port));
// One line per request would drown the log a diagnosis reads; start-up and faults are still written.
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<Readiness>();
builder.Services.AddHostedService<OrderLog>(services => new OrderLog(logPath, services.GetRequiredService<TimeProvider>()));
builder.Services.AddHostedService<OrderWorker>();

var app = builder.Build();
app.MapGet("/healthz", (Readiness readiness) => readiness.IsReady ? Results.Text("ok\n") : Results.Text("not ready: chaos\n", statusCode: StatusCodes.Status503ServiceUnavailable));
app.MapChaos();
app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine($"checkout listening on {address}:{port}, logging to {logPath}"));
await app.RunAsync();
