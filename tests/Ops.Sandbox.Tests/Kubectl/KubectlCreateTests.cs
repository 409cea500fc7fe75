using Ops.TestSupport;

namespace Ops.Sandbox.Tests.Kubectl;

/// <summary>kubectl create as users type it: kubectl sends these built-in kinds as protobuf, which the sandbox reads.</summary>
public sealed class KubectlCreateTests(SandboxFixture sandbox)
{
    private readonly TestSupport.Kubectl _kubectl = new(sandbox.KubeconfigPath);

    [Fact]
    public async Task Configmaps_secrets_and_service_accounts_are_created_with_what_the_command_line_says()
    {
        var ns = await sandbox.CreateNamespaceAsync();

        Assert.Equal("configmap/settings created", (await _kubectl.OkAsync($"create configmap settings -n {ns} --from-literal=color=blue --from-literal=size=10")).Trim());
        Assert.Equal("secret/password created", (await _kubectl.OkAsync($"create secret generic password -n {ns} --from-literal=value=s3cret")).Trim());
        Assert.Equal("serviceaccount/robot created", (await _kubectl.OkAsync($"create serviceaccount robot -n {ns}")).Trim());

        Assert.Equal("blue,10", await _kubectl.OkAsync($"get configmap settings -n {ns} -o jsonpath={{.data.color}}{{\",\"}}{{.data.size}}"));
        Assert.Equal(Convert.ToBase64String("s3cret"u8), await _kubectl.OkAsync($"get secret password -n {ns} -o jsonpath={{.data.value}}"));
        Assert.Equal("Opaque", await _kubectl.OkAsync($"get secret password -n {ns} -o jsonpath={{.type}}"));
        Assert.Equal("robot", await _kubectl.OkAsync($"get serviceaccount robot -n {ns} -o jsonpath={{.metadata.name}}"));
    }

    [Fact]
    public async Task A_namespace_a_role_and_its_binding_are_created_and_grant_what_they_say()
    {
        var name = $"created-{Guid.NewGuid():N}"[..20];

        Assert.Equal($"namespace/{name} created", (await _kubectl.OkAsync($"create namespace {name}")).Trim());
        await _kubectl.OkAsync($"create serviceaccount robot -n {name}");
        Assert.Equal("role.rbac.authorization.k8s.io/pod-reader created", (await _kubectl.OkAsync($"create role pod-reader -n {name} --verb=get,list --resource=pods")).Trim());
        Assert.Equal("rolebinding.rbac.authorization.k8s.io/robot-reads created", (await _kubectl.OkAsync($"create rolebinding robot-reads -n {name} --role=pod-reader --serviceaccount={name}:robot")).Trim());

        Assert.Equal("get,list", await _kubectl.OkAsync($"get role pod-reader -n {name} -o jsonpath={{.rules[0].verbs[0]}}{{\",\"}}{{.rules[0].verbs[1]}}"));
        Assert.Equal("yes", (await _kubectl.OkAsync($"auth can-i list pods -n {name} --as=system:serviceaccount:{name}:robot")).Trim());
        Assert.Equal("no", (await _kubectl.RunAsync($"auth can-i delete pods -n {name} --as=system:serviceaccount:{name}:robot")).Stdout.Trim());
        await _kubectl.OkAsync($"delete namespace {name} --wait=false");
    }

    [Fact]
    public async Task A_deployment_is_created_with_its_image_replicas_and_labels()
    {
        var ns = await sandbox.CreateNamespaceAsync();

        Assert.Equal("deployment.apps/web created", (await _kubectl.OkAsync($"create deployment web -n {ns} --image=registry.example/web:1.2 --replicas=2 --port=8080")).Trim());

        Assert.Equal("2,registry.example/web:1.2,8080,web,web", await _kubectl.OkAsync($"get deployment web -n {ns} -o jsonpath={{.spec.replicas}}{{\",\"}}{{.spec.template.spec.containers[0].image}}{{\",\"}}{{.spec.template.spec.containers[0].ports[0].containerPort}}{{\",\"}}{{.spec.selector.matchLabels.app}}{{\",\"}}{{.spec.template.metadata.labels.app}}"));
    }

    [Fact]
    public async Task A_kind_the_sandbox_cannot_read_as_protobuf_is_a_clear_415()
    {
        var result = await _kubectl.RunAsync("create priorityclass unreadable --value=10");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("the sandbox does not decode protobuf for scheduling.k8s.io/v1 PriorityClass", result.Stderr);
    }
}
