namespace WritePipeline.OperatorConsole.Pages;

public sealed class DeniedModel : ConsolePageModel
{
    public static void OnGet()
    {
    }
}
