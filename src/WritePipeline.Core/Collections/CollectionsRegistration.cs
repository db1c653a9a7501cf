using Microsoft.Extensions.DependencyInjection;

namespace WritePipeline.Collections;

public static class CollectionsRegistration
{
    /// <summary>In every host: the declared collections, from the options (the built-in defaults when none are declared).</summary>
    public static IServiceCollection AddCollections(this IServiceCollection services) => services.AddSingleton<CollectionCatalog>();
}
